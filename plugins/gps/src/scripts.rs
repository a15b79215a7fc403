//! What agents say, scene by scene, in the manual's words.
//!
//! Sources (manual 004, 客户服务管理制度): the opening "您好,很高兴为您服务,请问有什么
//! 可以帮您?" and the closing "请问还有其他需求吗?" (003, common to all); the
//! installation intake from 安装维修服务细则 1 (《安装需求单》《安装车辆明细》
//! 《司机信息和车辆基本信息》); the repair intake from 细则 2 ("客户名称、具体地址、联系
//! 方式、商品型号、购买日期…故障现象"); remote consent from 10.2.2 ("在客户授权的前提
//! 下…通过互联网远程接入"); return visits from 客户回访制度; the December call from
//! 新需求管理制度; the fault report from 故障报告制度.

use crate::config::Config;
use sopline_sdk::Contact;
use sopline_sdk::common::{CLOSING, OPENING, THANKS};
use sopline_sdk::contact::ContactExt;
use sopline_sdk::template::Vars;

/// The template of a scene, or `None` for a scene this plugin does not know.
fn template(scene: &str) -> Option<String> {
    Some(match scene {
        "greeting" => format!("欢迎致电{{公司名称}}GPS客服中心。{OPENING}"),
        "closing" => format!("{{称呼}},{CLOSING}{THANKS}"),
        "install_intake" => {
            "{称呼},为了给您安排安装,请提供《安装需求单》、《安装车辆明细》以及《司机信息和车辆基本信息》:\
             需要安装的车牌号、车辆明细和司机信息。我们据此填写《安装任务派工单》,经GPS事业部经理审批后安排专业安装人员,\
             上门时间审批后再与您确认。".into()
        }
        "repair_intake" => {
            "{称呼},请您提供客户名称、具体地址、联系方式、商品型号和购买日期,并描述一下故障现象,\
             我为您填写《维修服务单》,我们先通过热线帮您排查。".into()
        }
        "remote_consent" => {
            "{称呼},热线暂时无法排除这个故障。在您授权的前提下,我们的技术人员可以通过互联网远程接入您所用的系统,\
             指导您方的技术人员直接处理故障。请问您是否同意远程接入?".into()
        }
        "dispatch_confirmed" => {
            "{称呼},您的{单据}已经GPS事业部经理审批,我们已安排技术人员,出发前会核对安装维修信息、准备好工具和备品配件,\
             并与您确认到达时间。".into()
        }
        "major_fault" => {
            "{称呼},非常抱歉给您带来影响。我们已第一时间将故障的发生时间、地点、现象和处理预案上报业务负责人和分管经理,\
             处理进展会及时告知您,故障结束后我们会向您提交故障分析报告。".into()
        }
        "fault_report" => {
            "{称呼},这次故障已经处理完毕,我们整理了故障分析报告,包括故障造成的影响、处理情况、原因分析以及采取的纠正预防措施,\
             现在发送给您,请查收。".into()
        }
        "return_visit" => {
            "{称呼}您好,我是{公司名称}的客服,今天给您做定期回访,耽误您一分钟:请问您的GPS终端和平台最近使用情况如何?\
             对我们的服务还满意吗?".into()
        }
        "december_call" => {
            "{称呼}您好,我是{公司名称}的客服。新年将至,我们为您准备了一份新年礼物,近期寄出,想跟您确认一下收件地址;\
             另外想了解一下贵单位明年的需求计划,比如新增车辆安装或设备升级,方便我们提前安排。".into()
        }
        _ => return None,
    })
}

/// The document a category's order is written on.
pub fn order_document(category: &str) -> &'static str {
    if category == "installation" { "《安装任务派工单》" } else { "《维修服务单》" }
}

/// The scene's text with the customer's 称呼, the company and the order filled in.
pub fn render(config: &Config, scene: &str, contact: &Contact) -> Option<String> {
    let mut vars =
        Vars::for_contact(contact).set("公司名称", &config.company_name).set("单据", order_document(&contact.category));
    // Without a name, "您好" would read "您您好": address the customer politely instead.
    if contact.customer.name.trim().is_empty() && contact.field("gender").is_none() {
        vars = vars.set("称呼", "尊敬的客户");
    }
    template(scene).map(|t| vars.render(&t))
}
